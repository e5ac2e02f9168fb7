from hypothesis import given
from hypothesis import strategies as st

from chuangyou.lib.masking import mask_id_number, mask_phone


def test_examples():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("") == ""


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_a_phone_shows_at_most_seven_digits(phone):
    masked = mask_phone(phone)
    assert len(masked) == 11 and masked.count("*") == 4


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_an_id_number_never_shows_more_than_ten_of_its_digits(number):
    masked = mask_id_number(number)
    assert len(masked) == 18 and sum(c != "*" for c in masked) <= 10
