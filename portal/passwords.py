"""Password rules beyond Django's own validators."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class VarietyValidator:
    """Refuses a password made of one character repeated ("aaaaaaaaaaaa", "111111111111"): long
    enough for the length rule, yet the first thing a guessing attack tries."""

    def validate(self, password: str, user=None) -> None:
        if password and len(set(password)) == 1:
            raise ValidationError(
                "This password repeats a single character. Use a mix of different characters, or a few words.",
                code="password_single_character",
            )

    def get_help_text(self) -> str:
        return "Your password can't be one character repeated."
