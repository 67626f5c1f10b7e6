"""The BIN check: 12 digits, a legal entity's type digit, and the official mod-11 check digit with its second pass.

Expected values are worked out by hand below, so the tests do not trust the code they check.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.validators import bin_check_digit, bin_error, forbidden_control, make_bin, validate_bin, validate_single_line

# 1 5 0 5 4 0 0 0 0 0 1 | 7
# first pass, weights 1..11: 1·1 + 5·2 + 0·3 + 5·4 + 4·5 + 0·6 + 0·7 + 0·8 + 0·9 + 0·10 + 1·11 = 1+10+20+20+11 = 62
# 62 mod 11 = 7 → check digit 7
VALID_BIN = "150540000017"

# 1 5 0 5 4 0 0 0 0 8 0 | 1
# first pass, weights 1..11: 1·1 + 5·2 + 0·3 + 5·4 + 4·5 + 0 + 0 + 0 + 0 + 8·10 + 0·11 = 1+10+20+20+80 = 131
# 131 mod 11 = 10 → the second pass is needed
# second pass, weights 3,4,5,6,7,8,9,10,11,1,2:
#   1·3 + 5·4 + 0·5 + 5·6 + 4·7 + 0 + 0 + 0 + 0 + 8·1 + 0·2 = 3+20+30+28+8 = 89
# 89 mod 11 = 1 → check digit 1
SECOND_PASS_PREFIX = "15054000080"
SECOND_PASS_BIN = "150540000801"

# 1 5 0 5 4 0 0 0 1 6 0 | ?
# first pass: 1 + 10 + 0 + 20 + 20 + 0 + 0 + 0 + 1·9 + 6·10 + 0 = 120; 120 mod 11 = 10
# second pass: 3 + 20 + 0 + 30 + 28 + 0 + 0 + 0 + 1·11 + 6·1 + 0 = 98; 98 mod 11 = 10 → no digit can be valid
NO_CHECK_DIGIT_PREFIX = "15054000160"

# A personal IIN (born 1990-01-01, century/sex digit 3 in the 7th place; the 5th digit is 0), with a correct
# check digit: 9·1 + 0 + 0 + 1·4 + 0·5 + 1·6 + 3·7 + 0 + 0 + 0 + 1·11 = 51; 51 mod 11 = 7.
PERSONAL_IIN = "900101300017"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_valid_bin_has_no_error():
    assert bin_error(VALID_BIN) is None


def test_validate_bin_accepts_a_valid_bin():
    validate_bin(VALID_BIN)  # raises nothing


def test_surrounding_spaces_are_ignored():
    assert bin_error(f"  {VALID_BIN} ") is None


def test_the_check_digit_of_a_first_pass_bin_is_worked_out():
    assert bin_check_digit(VALID_BIN[:11]) == 7


def test_a_wrong_check_digit_is_refused_with_its_own_message():
    assert bin_error("150540000018") == (
        "The check digit (the last digit) is wrong: check the number for a typing error."
    )


def test_the_second_pass_gives_the_check_digit_when_the_first_gives_ten():
    assert bin_check_digit(SECOND_PASS_PREFIX) == 1
    assert make_bin(SECOND_PASS_PREFIX) == SECOND_PASS_BIN
    assert bin_error(SECOND_PASS_BIN) is None


def test_a_second_pass_bin_with_the_first_pass_remainder_as_check_digit_is_wrong():
    # Only the first pass would make the check digit 10, which no digit can be; any other digit is simply wrong.
    assert bin_error("150540000800") == bin_error("150540000018")


def test_a_prefix_where_both_passes_give_ten_has_no_valid_bin():
    assert bin_check_digit(NO_CHECK_DIGIT_PREFIX) is None
    assert make_bin(NO_CHECK_DIGIT_PREFIX) is None


@pytest.mark.parametrize("last", "0123456789")
def test_every_completion_of_a_prefix_without_check_digit_is_refused(last):
    assert bin_error(NO_CHECK_DIGIT_PREFIX + last) == (
        "No valid BIN begins with these 11 digits: the check digit cannot be computed."
    )


@pytest.mark.parametrize(("value", "count"), [("15054000001", 11), ("1505400000170", 13), ("1", 1)])
def test_a_bin_of_the_wrong_length_says_how_many_digits_it_has(value, count):
    assert bin_error(value) == f"A BIN has exactly 12 digits; this one has {count}."


@pytest.mark.parametrize("value", ["", None, "   "])
def test_an_empty_bin_is_refused_as_not_digits(value):
    assert bin_error(value) == "A BIN consists of digits only."


@pytest.mark.parametrize("value", ["15054000001A", "1505-4000-0017", "BIN150540000", "١٥٠٥٤٠٠٠٠٠١٧"])
def test_a_bin_with_letters_or_other_characters_is_refused(value):
    assert bin_error(value) == "A BIN consists of digits only."


@pytest.mark.parametrize("fifth", "0123")
def test_a_personal_iin_is_refused_as_not_a_bin(fifth):
    value = PERSONAL_IIN[:4] + fifth + PERSONAL_IIN[5:]
    assert "personal IIN" in bin_error(value)


def test_a_personal_iin_with_a_correct_check_digit_is_still_refused():
    assert bin_check_digit(PERSONAL_IIN[:11]) == 7
    assert bin_error(PERSONAL_IIN) == (
        "The fifth digit of a legal entity's BIN is 4, 5 or 6; this looks like a personal IIN, not a BIN."
    )


@pytest.mark.parametrize("fifth", "456")
def test_each_legal_entity_type_digit_is_accepted(fifth):
    prefix = f"1505{fifth}000001"
    bin_value = make_bin(prefix)
    assert bin_value is not None
    assert bin_error(bin_value) is None


def test_every_kind_of_error_has_its_own_message():
    messages = [
        bin_error("150540000018"),  # wrong check digit
        bin_error(NO_CHECK_DIGIT_PREFIX + "0"),  # no check digit exists
        bin_error("15054000001"),  # too short
        bin_error("15054000001A"),  # letters
        bin_error(PERSONAL_IIN),  # personal IIN
    ]
    assert all(messages)
    assert len(set(messages)) == len(messages)


def test_validate_bin_raises_with_the_specific_message():
    with pytest.raises(ValidationError) as error:
        validate_bin("150540000018")
    assert error.value.code == "invalid_bin"
    assert error.value.messages == [bin_error("150540000018")]


def test_validate_bin_refuses_a_personal_iin():
    with pytest.raises(ValidationError, match="personal IIN"):
        validate_bin(PERSONAL_IIN)


legal_entity_prefixes = st.builds(
    lambda head, type_digit, tail: head + type_digit + tail,
    st.text("0123456789", min_size=4, max_size=4),
    st.sampled_from("456"),
    st.text("0123456789", min_size=6, max_size=6),
)


@given(legal_entity_prefixes)
def test_make_bin_either_gives_up_or_returns_a_valid_bin(prefix):
    result = make_bin(prefix)
    if result is None:
        assert all(bin_error(prefix + d) is not None for d in "0123456789")
    else:
        assert result.startswith(prefix)
        assert len(result) == 12
        validate_bin(result)


@given(legal_entity_prefixes)
def test_at_most_one_check_digit_completes_a_prefix(prefix):
    valid = [d for d in "0123456789" if bin_error(prefix + d) is None]
    assert len(valid) <= 1
    assert (make_bin(prefix) is None) == (not valid)


# -- one-line names, titles and numbers -------------------------------------------------------------------------

# Every character that would break an email header or a file name, or reorder what a reader sees.
CONTROLS = ["\r", "\n", "\t", "\x00", "\x0b", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029"]
BIDI_OVERRIDES = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
INVISIBLE_ONLY = ["\u200b", "\u3164", "\u00a0\u200b", "\u2800\u2800", "\ufeff", "\u115f\u1160", "\u00ad", "\u0301"]


@pytest.mark.parametrize("char", CONTROLS + BIDI_OVERRIDES)
def test_a_control_character_inside_a_name_is_refused_and_named(char):
    with pytest.raises(ValidationError) as raised:
        validate_single_line(f"ОФ «Шан{char}ырак»")
    error = raised.value.error_list[0]
    assert error.code == "control_character"
    assert f"U+{ord(char):04X}" in error.message % error.params
    assert forbidden_control(f"ab{char}") == char


@pytest.mark.parametrize("text", INVISIBLE_ONLY)
def test_a_name_made_only_of_invisible_characters_is_refused(text):
    with pytest.raises(ValidationError) as raised:
        validate_single_line(text)
    assert raised.value.error_list[0].code == "invisible"


@pytest.mark.parametrize(
    "text",
    ["ОФ «Шанырак»", "Қамқор ұйымы", "ГСЗ-2027/75-101", 'ОФ "Дом & семья"', "Ана мен бала\u200b", "Zoë", "", "№ 5"],
)
def test_ordinary_names_pass(text):
    validate_single_line(text)  # raises nothing


def test_the_messages_are_translated():
    with translation.override("ru"), pytest.raises(ValidationError) as raised:
        validate_single_line("\u200b")
    assert raised.value.messages == ["Этот текст состоит только из невидимых символов."]


@given(st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]), min_size=1).filter(str.strip))
def test_text_with_a_visible_letter_and_no_control_passes(text):
    text = "Ж" + text.replace("\u2028", "").replace("\u2029", "")
    text = "".join(c for c in text if forbidden_control(c) is None)
    validate_single_line(text)


@given(st.text(), st.sampled_from(CONTROLS + BIDI_OVERRIDES), st.text())
def test_any_text_holding_a_control_character_is_refused(before, char, after):
    with pytest.raises(ValidationError):
        validate_single_line(before + char + after)
