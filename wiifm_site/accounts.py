"""Password reset that also serves invited accounts.

An owner who adds someone without an account creates it inactive, with an
unusable password. The invitation link is an ordinary password-reset link
(Django's ``default_token_generator``); choosing a password through it
activates the account. The login page's "forgotten password" works for such
a pending invitation too. An account an administrator switched off (inactive
with a usable password, or one that has logged in before) stays off.

Reset mails are limited per e-mail address asked for and per client
(``WIIFM_RESET_PER_ADDRESS``, ``WIIFM_RESET_PER_CLIENT`` an hour, counted by
``core.ratelimit``): past either, the form says so and nothing is sent. The
address is counted whether it has an account or not, so the answer tells
nobody which addresses have one.

The login form refuses a username longer than an account's can be before
anything looks it up: Django's own sets the limit on the field but does not
check it, and the lock-out's failure record holds 255 characters (on
PostgreSQL a longer one was a server error).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.validators import MaxLengthValidator
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from core import ratelimit
from core.accounts import is_pending_invitation
from core.client import client_address


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        assert isinstance(username, forms.CharField)
        assert username.max_length is not None  # the user model's, set by Django's form
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm


class InvitationAwarePasswordResetForm(PasswordResetForm):
    def get_users(self, email: str) -> Iterator[Any]:
        User = get_user_model()
        for user in User._default_manager.filter(email__iexact=email):
            if (user.is_active and user.has_usable_password()) or is_pending_invitation(user):
                yield user


class PasswordResetView(auth_views.PasswordResetView):
    form_class = InvitationAwarePasswordResetForm
    token_generator = default_token_generator

    def form_valid(self, form: Any) -> HttpResponse:
        address = form.cleaned_data["email"].strip().casefold()
        client = client_address(self.request)
        if (
            ratelimit.count("reset-address", address) >= settings.WIIFM_RESET_PER_ADDRESS
            or ratelimit.count("reset-client", client) >= settings.WIIFM_RESET_PER_CLIENT
        ):
            form.add_error(
                "email",
                _(
                    "Too many links were asked for in the last hour. If this address has an "
                    "account, a link is already on its way: look in your inbox and spam folder, "
                    "or try again in an hour."
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        ratelimit.hit("reset-address", address)
        ratelimit.hit("reset-client", client)
        return super().form_valid(form)


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    token_generator = default_token_generator

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user
        if is_pending_invitation(user):
            user.is_active = True
            user.save(update_fields=["is_active"])
        return super().form_valid(form)
