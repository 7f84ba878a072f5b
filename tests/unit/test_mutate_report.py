"""make mutate's report: per-module scores from mutmut's results, equivalents set aside."""

from __future__ import annotations

from scripts.mutate import CORE, equivalents, module_of, summarize

RESULTS = """
    submit_request.logic.x_submit__mutmut_1: killed
    submit_request.logic.x_submit__mutmut_2: killed
    submit_request.logic.x_submit__mutmut_3: timeout
    submit_request.logic.x_submit__mutmut_4: survived
    intake_common.services.staff.x_csv__mutmut_1: survived
    intake_common.services.staff.x_csv__mutmut_2: killed
    intake_common.domain.item.xǁClaimǁholds__mutmut_1: no tests
"""
MODULES = [
    "submit_request/logic.py",
    "intake_common/services/staff.py",
    "intake_common/domain/item.py",
]


def test_each_module_is_scored_from_its_own_mutants() -> None:
    text, passed = summarize(RESULTS, MODULES, {}, 12.4)

    assert "# Mutation score (7 mutants, 12 s, unit and contract tiers)" in text
    assert "| submit_request/logic.py | 2 | 1 | 0 | 1 | 0 | 75.0% |" in text  # timeout = killed
    assert "| intake_common/services/staff.py | 1 | 1 | 0 | 0 | 0 | 50.0% |" in text
    assert "| intake_common/domain/item.py | 0 | 0 | 1 | 0 | 0 | 0.0% |" in text  # untested
    assert "- `submit_request.logic.x_submit__mutmut_4`" in text
    assert "- `intake_common.domain.item.xǁClaimǁholds__mutmut_1`" in text
    assert (
        "mutmut_1`" not in text.split("## Survivors in submit_request/logic.py")[1].split("##")[0]
    )
    assert passed is False


def test_a_listed_equivalent_is_neither_killed_nor_survived() -> None:
    listed = {"intake_common.services.staff.x_csv__mutmut_1": "no behaviour"}
    text, _ = summarize(RESULTS, MODULES[1:2], listed, 1)

    assert "| intake_common/services/staff.py | 1 | 0 | 0 | 0 | 1 | 100.0% |" in text
    assert "Survivors" not in text


def test_a_listed_equivalent_the_tests_now_kill_is_flagged_as_stale() -> None:
    # Mutants are named by their place in a function: after an edit the line may name another.
    listed = {"intake_common.services.staff.x_csv__mutmut_2": "was equivalent"}
    text, _ = summarize(RESULTS, MODULES[1:2], listed, 1)

    stale = text.split("## Listed as equivalent but no longer surviving")[1]
    assert "- `intake_common.services.staff.x_csv__mutmut_2` (killed)" in stale
    assert "no longer surviving" not in summarize(RESULTS, MODULES[1:2], {}, 1)[0]


def test_the_target_is_met_only_when_every_module_reaches_it() -> None:
    all_killed = "\n".join(
        f"    {m.removesuffix('.py').replace('/', '.')}.x_f__mutmut_1: killed" for m in CORE
    )
    assert summarize(all_killed, CORE, {}, 1)[1] is True
    one_short = all_killed + "\n    notify_staff.logic.x_g__mutmut_1: survived"
    assert summarize(one_short, CORE, {}, 1)[1] is False


def test_mutants_map_to_their_module_and_the_equivalents_file_parses() -> None:
    assert module_of("intake_common.services.staff.x_csv__mutmut_1", CORE) == (
        "intake_common/services/staff.py"
    )
    assert module_of("intake_common.services.staffing.x__mutmut_1", CORE) == "?"
    listed = equivalents()
    assert listed  # the checked-in file lists its equivalents, each with a reason
    assert all(reason for reason in listed.values())
