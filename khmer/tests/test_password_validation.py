"""Django's password length rule says its number in the reader's digits."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import override

from khmer.password_validation import MinimumLengthValidator


def test_the_rule_and_its_error_in_khmer_digits_in_khmer():
    validator = MinimumLengthValidator(min_length=12)
    with override("km"):
        assert "១២" in validator.get_help_text() and "12" not in validator.get_help_text()
        with pytest.raises(ValidationError) as refused:
            validator.validate("short")
        (message,) = refused.value.messages
        assert "១២" in message and "12" not in message
        assert message.startswith("ពាក្យសម្ងាត់")  # in Khmer, not Django's English
        assert refused.value.error_list[0].code == "password_too_short"
    with override("en"):
        assert "at least 12 characters" in validator.get_help_text()
        with pytest.raises(ValidationError) as refused:
            validator.validate("short")
        assert "at least 12 characters" in refused.value.messages[0]
    validator.validate("long enough here")  # nothing to say


def test_it_is_the_rule_the_site_applies():
    assert any(
        isinstance(validator, MinimumLengthValidator)
        for validator in password_validation.get_default_password_validators()
    )
