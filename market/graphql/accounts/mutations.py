"""Accounts: register, verify the e-mail address, sign in and out, passwords."""

import graphene

from market.accounts import services
from market.accounts.error_codes import AccountErrorCode
from market.accounts.throttling import request_client_address
from market.graphql.accounts.types import User
from market.graphql.core.auth import require_user
from market.graphql.core.mutations import BaseMutation, error_type

AccountError = error_type("AccountError", AccountErrorCode)


def _token_fields(pair: services.TokenPair) -> dict:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "user": pair.user,
    }


class AccountRegisterInput(graphene.InputObjectType):
    email = graphene.String(required=True)
    password = graphene.String(required=True)
    first_name = graphene.String()
    last_name = graphene.String()


class AccountRegister(BaseMutation):
    """Create an account; a link to confirm the e-mail address is sent to it. An address that
    has an account already is sent a notice instead, and the answer is the same, so that
    registering does not tell which addresses have accounts."""

    user = graphene.Field(
        User,
        deprecation_reason=(
            "Always null: an account's details would tell whether the address was free. Sign in "
            "with tokenCreate once the address is confirmed."
        ),
    )

    class Arguments:
        input = AccountRegisterInput(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, input):
        services.user_register(
            email=input.email,
            password=input.password,
            first_name=input.get("first_name") or "",
            last_name=input.get("last_name") or "",
            client_address=request_client_address(info.context),
        )
        return {}


class AccountConfirmEmail(BaseMutation):
    """Confirm the e-mail address with the token from the verification link."""

    user = graphene.Field(User)

    class Arguments:
        email = graphene.String(required=True)
        token = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, email, token):
        return {"user": services.user_confirm_email(email=email, token=token)}


class AccountResendVerification(BaseMutation):
    """Send the verification link again; answers alike whether or not the address has an
    unverified account."""

    class Arguments:
        email = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, email):
        services.user_resend_verification(
            email=email, client_address=request_client_address(info.context)
        )
        return {}


class TokenPayloadMixin:
    access_token = graphene.String(description="Short-lived: send as `Authorization: Bearer`.")
    refresh_token = graphene.String(
        description="Exchange for new tokens with `tokenRefresh`; each one works once."
    )
    user = graphene.Field(User)


class TokenCreate(TokenPayloadMixin, BaseMutation):
    """Sign in with e-mail address and password. Too many failures from one client, or for one
    account from one client, answer TOO_MANY_ATTEMPTS for a while."""

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, email, password):
        return _token_fields(
            services.user_login(
                email=email, password=password, client_address=request_client_address(info.context)
            )
        )


class TokenRefresh(TokenPayloadMixin, BaseMutation):
    """New tokens for a refresh token, which stops working."""

    class Arguments:
        refresh_token = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, refresh_token):
        return _token_fields(services.token_refresh(refresh_token=refresh_token))


class TokenRevoke(BaseMutation):
    """Sign out: the refresh token stops working."""

    class Arguments:
        refresh_token = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, refresh_token):
        services.token_revoke(refresh_token=refresh_token)
        return {}


class TokensRevokeAll(BaseMutation):
    """Sign out everywhere: every access and refresh token of the signed-in user stops working,
    this one included."""

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info):
        services.tokens_revoke_all(user=require_user(info))
        return {}


class PasswordChange(TokenPayloadMixin, BaseMutation):
    """Change the signed-in user's password. Every earlier token stops working; the payload
    carries new ones for this session. Wrong old passwords count as failed sign-ins: over the
    limit, TOO_MANY_ATTEMPTS."""

    class Arguments:
        old_password = graphene.String(required=True)
        new_password = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, old_password, new_password):
        user = require_user(info)
        return _token_fields(
            services.password_change(
                user=user,
                old_password=old_password,
                new_password=new_password,
                client_address=request_client_address(info.context),
            )
        )


class RequestPasswordReset(BaseMutation):
    """E-mail a password-reset link; answers alike whether or not the address has an account.
    A few e-mails per address asked for and per client an hour: beyond, TOO_MANY_ATTEMPTS."""

    class Arguments:
        email = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, email):
        services.password_reset_request(
            email=email, client_address=request_client_address(info.context)
        )
        return {}


class SetPassword(BaseMutation):
    """Choose a new password with the token from a password-reset link; every earlier token
    stops working."""

    class Arguments:
        email = graphene.String(required=True)
        token = graphene.String(required=True)
        password = graphene.String(required=True)

    class Meta:
        error_type = AccountError

    @classmethod
    def perform(cls, root, info, email, token, password):
        services.password_set(email=email, token=token, password=password)
        return {}


class AccountsMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

    account_register = AccountRegister.Field()
    account_confirm_email = AccountConfirmEmail.Field()
    account_resend_verification = AccountResendVerification.Field()
    token_create = TokenCreate.Field()
    token_refresh = TokenRefresh.Field()
    token_revoke = TokenRevoke.Field()
    tokens_revoke_all = TokensRevokeAll.Field()
    password_change = PasswordChange.Field()
    request_password_reset = RequestPasswordReset.Field()
    set_password = SetPassword.Field()
