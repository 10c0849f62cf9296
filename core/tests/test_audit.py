from core.models import AuditEntry
from core.services import organisations
from core.testing import PersonaTestCase


class AuditTrailTests(PersonaTestCase):
    def test_edit_through_the_page_records_actor_and_old_and_new_values(self):
        self.login(self.enterprise)
        org = self.enterprise_org
        data = {
            "name": org.name,
            "type": org.type,
            "uscc": org.uscc,
            "region": org.region_id,
            "size": "medium",
            "address": "长春市高新区硅谷大街1号",
        }
        response = self.client.post(f"/organisations/{org.pk}/edit/", data)
        self.assertRedirects(response, f"/organisations/{org.pk}/")
        entry = AuditEntry.objects.get(action="update", object_id=str(org.pk))
        self.assertEqual(entry.actor, self.enterprise)
        self.assertEqual(entry.changes["size"], ["小型", "中型"])
        self.assertEqual(entry.changes["address"], ["", "长春市高新区硅谷大街1号"])
        self.assertNotIn("name", entry.changes)

    def test_edit_through_the_admin_is_audited_too(self):
        self.login(self.city_admin)
        org = self.other_enterprise_org
        data = {
            "name": "长春启明汽车电子股份有限公司",
            "type": org.type,
            "uscc": org.uscc,
            "region": org.region_id,
        }
        self.client.post(f"/admin/core/organisation/{org.pk}/change/", data)
        entry = AuditEntry.objects.get(action="update", object_id=str(org.pk))
        self.assertEqual(entry.actor, self.city_admin)
        self.assertEqual(
            entry.changes["name"], ["长春启明汽车电子有限公司", "长春启明汽车电子股份有限公司"]
        )

    def test_saving_without_changes_writes_no_entry(self):
        organisations.update_organisation(
            self.city_admin, self.enterprise_org, name=self.enterprise_org.name
        )
        self.assertFalse(AuditEntry.objects.filter(action="update").exists())

    def test_creation_records_the_new_values(self):
        import random

        from core.factories import make_uscc

        org = organisations.create_organisation(
            self.district_admin,
            name="长春新光科技有限公司",
            type="enterprise",
            uscc=make_uscc(random.Random(5), "220173"),
            region=self.hightech_zone,
        )
        entry = AuditEntry.objects.get(action="create", object_id=str(org.pk))
        self.assertEqual(entry.changes["region"], [None, "长春高新技术产业开发区"])
        self.assertEqual(entry.actor_name, "赵区管")

    def test_city_admin_browses_and_filters_the_trail(self):
        organisations.update_organisation(
            self.city_admin, self.enterprise_org, address="越达路 1 号"
        )
        organisations.update_organisation(
            self.city_admin, self.university, address="前进大街 2699 号"
        )
        self.login(self.city_admin)
        response = self.client.get("/audit/", {"q": "吉林大学"})
        self.assertContains(response, "前进大街 2699 号")
        self.assertNotContains(response, "越达路 1 号")
        self.assertContains(response, "地址")

    def test_others_cannot_open_the_trail(self):
        for user in (self.enterprise, self.district_admin, self.leader):
            self.login(user)
            self.assertEqual(self.client.get("/audit/").status_code, 403, user)
