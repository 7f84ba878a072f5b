"""The local emulator (development only): the whole pipeline on moto, and dynalite."""
