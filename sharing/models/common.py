from django.core.validators import MinValueValidator

# Amounts in yuan, to the fen.
YUAN = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(0)]
POSITIVE = [MinValueValidator(0.01)]
