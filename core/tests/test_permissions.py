from core import permissions
from core.exceptions import NotAllowed
from core.models import AuditEntry, Organisation
from core.services import organisations
from core.testing import PersonaTestCase


class OrganisationPermissionTests(PersonaTestCase):
    def test_district_admin_cannot_edit_another_districts_organisation(self):
        with self.assertRaises(NotAllowed):
            organisations.update_organisation(
                self.district_admin, self.other_enterprise_org, name="改名"
            )
        self.login(self.district_admin)
        page = self.client.post(
            f"/organisations/{self.other_enterprise_org.pk}/edit/", {"name": "改名"}
        )
        self.assertEqual(page.status_code, 403)
        api = self.client.patch(
            f"/api/organisations/{self.other_enterprise_org.pk}/",
            {"name": "改名"},
            content_type="application/json",
        )
        self.assertEqual(api.status_code, 403)
        self.assertEqual(api.json()["code"], "not_allowed")
        admin = self.client.get(f"/admin/core/organisation/{self.other_enterprise_org.pk}/change/")
        self.assertContains(admin, "改名", status_code=200, count=0)
        self.assertNotContains(admin, 'name="_save"')
        self.other_enterprise_org.refresh_from_db()
        self.assertEqual(self.other_enterprise_org.name, "长春启明汽车电子有限公司")

    def test_district_admin_edits_an_organisation_in_their_district(self):
        org = organisations.update_organisation(
            self.district_admin, self.enterprise_org, address="长春市高新区越达路"
        )
        self.assertEqual(org.address, "长春市高新区越达路")

    def test_district_admin_cannot_move_an_organisation_out_of_their_district(self):
        with self.assertRaisesMessage(NotAllowed, "您只能管理本辖区内的单位。"):
            organisations.update_organisation(
                self.district_admin, self.enterprise_org, region=self.nanguan
            )
        self.enterprise_org.refresh_from_db()
        self.assertEqual(self.enterprise_org.region, self.hightech_zone)

    def test_district_admin_cannot_move_one_out_through_the_admin(self):
        self.login(self.district_admin)
        url = f"/admin/core/organisation/{self.enterprise_org.pk}/change/"
        data = {
            "name": self.enterprise_org.name,
            "type": "enterprise",
            "uscc": self.enterprise_org.uscc,
            "region": self.nanguan.pk,
        }
        response = self.client.post(url, data)
        self.assertContains(response, "您只能管理本辖区内的单位。")

    def test_organisation_admin_edits_own_organisation_but_not_another(self):
        self.assertTrue(
            permissions.can(self.enterprise, "core.change_organisation", self.enterprise_org)
        )
        self.assertFalse(
            permissions.can(self.enterprise, "core.change_organisation", self.other_enterprise_org)
        )

    def test_ordinary_member_cannot_edit_their_organisation(self):
        self.assertFalse(permissions.can(self.expert, "core.change_organisation", self.university))

    def test_public_and_leader_cannot_create_organisations(self):
        for user in (self.public, self.leader, self.enterprise):
            self.assertFalse(permissions.can(user, "core.add_organisation"), user)
        self.login(self.leader)
        self.assertEqual(self.client.get("/organisations/new/").status_code, 403)

    def test_anonymous_api_cannot_write(self):
        response = self.client.post(
            "/api/organisations/", {"name": "x"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn("message", response.json())

    def test_city_admin_deletes_and_the_deletion_is_audited(self):
        pk = self.other_enterprise_org.pk
        organisations.delete_organisation(self.city_admin, self.other_enterprise_org)
        self.assertFalse(Organisation.objects.filter(pk=pk).exists())
        entry = AuditEntry.objects.get(action="delete", object_id=str(pk))
        self.assertEqual(entry.changes["name"], ["长春启明汽车电子有限公司", None])

    def test_district_admin_cannot_delete(self):
        with self.assertRaises(NotAllowed):
            organisations.delete_organisation(self.district_admin, self.enterprise_org)

    def test_back_office_is_for_bureau_staff_only(self):
        self.login(self.enterprise)
        response = self.client.get("/admin/")
        self.assertRedirects(response, "/admin/login/?next=/admin/")
        self.login(self.city_admin)
        self.assertContains(self.client.get("/admin/"), "单位")
