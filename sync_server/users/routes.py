"""`/users/me`: read and edit one's own profile, change the password."""

from __future__ import annotations

from fastapi import APIRouter, status

from sync_server.auth.service import check_current_password, revoke_all_for_user
from sync_server.deps import AppSettings, CurrentUser, DbSession, Passwords, UnitOfWorkRoute
from sync_server.errors import error_responses
from sync_server.users.schemas import PasswordChange, ProfileUpdate, UserProfile
from sync_server.users.service import profile_of, update_profile

router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401), route_class=UnitOfWorkRoute)


@router.get("/me", response_model=UserProfile)
def read_me(user: CurrentUser, db: DbSession) -> UserProfile:
    """The signed-in user's profile, including team membership."""
    return profile_of(db, user)


@router.patch("/me", response_model=UserProfile, responses=error_responses(409, 422))
def update_me(changes: ProfileUpdate, user: CurrentUser, db: DbSession) -> UserProfile:
    """Change the display name and/or email address."""
    return profile_of(db, update_profile(db, user, changes))


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403, 422, 423))
def change_password(
    change: PasswordChange, user: CurrentUser, db: DbSession, passwords: Passwords, settings: AppSettings
) -> None:
    """Set a new password. Every token of the account is revoked (other devices sign in again). Wrong current
    passwords count toward the sign-in lockout: after 5 the account is locked (423) for 15 minutes."""
    check_current_password(db, passwords, settings, user, change.current_password)
    new_hash = passwords.hash(change.new_password)  # before the write transaction begins
    user.hashed_password = new_hash
    revoke_all_for_user(db, user.id)
