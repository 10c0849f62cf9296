from core.testing import PersonaTestCase
from resources.choices import RecordStatus
from resources.models import Achievement, Patent


class RecordApiTests(PersonaTestCase):
    def test_owner_creates_and_submits_through_the_api(self):
        self.login(self.institute)
        response = self.client.post(
            "/api/resources/achievements/",
            {
                "title": "稀土永磁材料晶界扩散技术",
                "summary": "矫顽力提高30%。",
                "trl": 6,
                "chain_nodes": ["CL-03"],
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["status"], body["owner"], body["region"]), ("draft", "吉林大学", "220102")
        )
        submitted = self.client.post(f"/api/resources/achievements/{body['id']}/submit/")
        self.assertEqual(submitted.json()["status"], "submitted")
        self.assertEqual(Achievement.objects.get().status, RecordStatus.SUBMITTED)

    def test_bad_patent_number_gets_a_precise_message_and_nothing_is_saved(self):
        self.login(self.institute)
        response = self.client.post(
            "/api/resources/patents/",
            {
                "title": "一种光学镜头",
                "application_number": "200310102344.4",
                "applicants": "吉林大学",
                "type": "invention",
                "legal_status": "granted",
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["errors"]["application_number"],
            ["专利申请号校验位不符：“.”后应为“5”，实际为“4”。"],
        )
        self.assertFalse(Patent.objects.exists())

    def test_patent_form_refuses_the_same_bad_number(self):
        self.login(self.institute)
        response = self.client.post(
            "/resources/patents/new/",
            {
                "title": "一种光学镜头",
                "application_number": "200310102344.4",
                "applicants": "吉林大学",
                "type": "invention",
                "legal_status": "granted",
            },
        )
        self.assertContains(response, "专利申请号校验位不符：“.”后应为“5”，实际为“4”。")
        self.assertFalse(Patent.objects.exists())

    def test_patent_type_must_agree_with_the_number(self):
        self.login(self.institute)
        response = self.client.post(
            "/resources/patents/new/",
            {
                "title": "一种光学镜头",
                "application_number": "200310102344.5",
                "applicants": "吉林大学",
                "type": "design",
                "legal_status": "granted",
            },
        )
        self.assertContains(response, "申请号表示的专利类型是“发明”，与所选类型不符。")

    def test_anonymous_cannot_create(self):
        response = self.client.post(
            "/api/resources/achievements/", {"title": "x"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)

    def test_enterprise_cannot_update_another_organisations_record(self):
        from resources.factories import AchievementFactory

        record = AchievementFactory(owner=self.university, status=RecordStatus.DRAFT)
        self.login(self.other_enterprise)
        response = self.client.patch(
            f"/api/resources/achievements/{record.pk}/",
            {"title": "改"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 404)

    def test_mine_lists_drafts_of_my_organisation_only(self):
        from resources.factories import AchievementFactory

        AchievementFactory(owner=self.university, status=RecordStatus.DRAFT, title="吉大草稿")
        AchievementFactory(owner=self.enterprise_org, status=RecordStatus.DRAFT, title="企业草稿")
        self.login(self.institute)
        titles = [
            r["title"]
            for r in self.client.get("/api/resources/achievements/", {"mine": "1"}).json()[
                "results"
            ]
        ]
        self.assertEqual(titles, ["吉大草稿"])


class ReviewApiTests(PersonaTestCase):
    def test_reviewer_approves_and_returns_through_the_api(self):
        from resources.services import records

        draft = records.create_record(
            self.institute, Achievement, {"title": "甲", "summary": "简介", "trl": 5}
        )
        records.submit_record(self.institute, draft)
        self.login(self.district_admin)  # 吉林大学 is in 南关区, outside this admin's district
        refused = self.client.post(f"/api/resources/achievements/{draft.pk}/approve/")
        self.assertIn(refused.status_code, (403, 404))
        self.login(self.city_admin)
        empty = self.client.post(f"/api/resources/achievements/{draft.pk}/return/", {"reason": ""})
        self.assertEqual(empty.status_code, 400)
        self.assertEqual(empty.json()["message"], "退回时必须填写原因。")
        returned = self.client.post(
            f"/api/resources/achievements/{draft.pk}/return/", {"reason": "补充指标"}
        )
        self.assertEqual(returned.json()["status"], "returned")
        self.login(self.institute)
        self.client.post(f"/api/resources/achievements/{draft.pk}/submit/")
        self.login(self.city_admin)
        approved = self.client.post(f"/api/resources/achievements/{draft.pk}/approve/")
        self.assertEqual(approved.json()["status"], "published")
        history = self.client.get(f"/api/resources/achievements/{draft.pk}/history/").json()
        self.assertEqual([v["number"] for v in history], [1])

    def test_a_return_without_any_reason_field_is_refused_with_the_reason_message(self):
        from resources.services import records

        draft = records.create_record(
            self.institute, Achievement, {"title": "乙", "summary": "简介", "trl": 5}
        )
        records.submit_record(self.institute, draft)
        self.login(self.city_admin)
        response = self.client.post(f"/api/resources/achievements/{draft.pk}/return/")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["message"], "退回时必须填写原因。")
        draft.refresh_from_db()
        self.assertEqual(draft.status, RecordStatus.SUBMITTED)

    def test_a_region_code_with_a_nul_character_is_refused_not_looked_up(self):
        self.login(self.institute)
        response = self.client.post(
            "/api/resources/achievements/",
            {"title": "丙", "summary": "简介", "trl": 5, "region": "2201\x0002"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"]["region"], ["不能包含空字符（\\x00）。"])
        self.assertFalse(Achievement.objects.filter(title="丙").exists())
