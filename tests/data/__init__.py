"""Real responses of the original API that the tests read; README.md here says where each file
comes from. Nothing outside the repository is read: a clone with nothing beside it runs every
test (issue 14)."""

from pathlib import Path

DATA = Path(__file__).resolve().parent
# The two catalog dumps of 2019 (SPEC §6.6): sources.yml and destinations.yml.
CATALOG_DUMPS = DATA / "catalog"
# Tracking plans as the original API returned them (SPEC §6.4: rules round-trip exactly).
TRACKING_PLANS = DATA / "tracking-plans"


def tracking_plan_files() -> list[Path]:
    """Every real tracking plan, in name order; never empty, so no parametrization over them
    comes out empty (and skipped)."""
    files = sorted(TRACKING_PLANS.glob("*.json"))
    assert files, f"no tracking plans in {TRACKING_PLANS}"
    return files
