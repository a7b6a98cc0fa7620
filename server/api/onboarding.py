"""First run: the checklist's real state."""

from __future__ import annotations

from typing import Any

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..onboarding import onboarding_state
from ..schemas.dashboard import OnboardingSchema

blp = Blueprint("onboarding", __name__, url_prefix="/api", description="First run")


@blp.route("/onboarding", methods=["GET"])
@blp.response(200, OnboardingSchema)
@login_required
def onboarding() -> dict[str, Any]:
    """Which first-run steps are done: people, a synced calendar, reminders, a first log."""
    return onboarding_state(current_user)
