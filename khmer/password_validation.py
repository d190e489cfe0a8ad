"""Django's password length rule, its number in the reader's digits.

Django writes the minimum length into its help text and its error with ``%d``: Western
digits whatever the language ("យ៉ាងហោចណាស់ 8 តួអក្សរ"). Its other validators say no number.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from khmer.formats import reader_digits


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            # The message written out here, not by ValidationError's params: a ``%d`` cannot
            # take Khmer digits.
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self):
        return reader_digits(super().get_error_message())

    def get_help_text(self):
        return reader_digits(super().get_help_text())
