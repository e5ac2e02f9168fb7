"""The client's address for the audit trail and the public limits, directly or behind reverse proxies."""

import pytest
from django.test import RequestFactory

from chuangyou.core.middleware import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),  # no proxy trusted: the header is the client's word only
        (1, "198.51.100.7", "198.51.100.7"),  # nginx appended the address it saw
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # a forged first entry is ignored
        (2, "203.0.113.9, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (1, "", "10.0.0.1"),  # no header: the connection's address
        (1, "not-an-address", "10.0.0.1"),  # never stored as garbage
        (2, "198.51.100.7", "10.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_address_is_read_from_the_right_of_x_forwarded_for(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
