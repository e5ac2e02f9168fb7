"""The back office is not the staff's way in: /admin/ sends everyone to the product's login page, and
only a system administrator goes on into it."""

from tests.conftest import make_user


def test_the_back_office_signs_in_on_the_products_page(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")
    assert "django-admin" not in response.content.decode() and "Django" not in response.content.decode()


def test_only_a_system_administrator_goes_on_into_the_back_office(client, client_for):
    response = client_for("county_admin").get("/admin/", follow=True)
    assert response.status_code == 403 and "后台管理只供系统管理员使用" in response.content.decode()
    staff = make_user("p_staff")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/login/?next=/admin/orgs/").url == "/admin/orgs/"
    assert client.get("/admin/login/?next=https://evil.example/").url == "/admin/"
    assert client.get("/admin/").status_code == 200
