"""Operations that a function and the ``intake`` tool share: announcing alerts, and what staff
do with requests."""
