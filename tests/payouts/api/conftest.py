import pytest

from tests.factories import StaffFactory
from tests.stripe_server.fixtures import _stripe_server_process, stripe_server  # noqa: F401


@pytest.fixture
def payout_manager(db):
    return StaffFactory(permissions=["payouts.manage_payouts"])


@pytest.fixture(autouse=True)
def _bank_files_in_tmp(settings, tmp_path):
    settings.PAYOUT_BANK_FILES_ROOT = str(tmp_path / "bank-files")
