import tempfile
from decimal import Decimal

from django.test import override_settings

from core.choices import Role
from core.factories import MembershipFactory
from core.testing import PersonaTestCase
from programs.choices import AttachmentKind
from programs.factories import CallFactory, TopicFactory, pdf_upload
from programs.services import applications as service

BUDGET = {"equipment": "30", "business": "50", "labour": "20", "indirect": "20"}  # = 120


_SCRATCH = tempfile.mkdtemp(prefix="kechuang-programs-")


# Uploads go to a scratch folder; no bridging index there, so affinity is fitted per call.
@override_settings(MEDIA_ROOT=f"{_SCRATCH}/media", INDEX_DIR=f"{_SCRATCH}/no-index")
class ProgramTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.call = CallFactory()
        cls.topic = TopicFactory(call=cls.call)
        # A colleague of the enterprise persona who prepares applications but is not its admin.
        cls.preparer = MembershipFactory(
            user__username="preparer",
            user__display_name="吴填报",
            organisation=cls.enterprise_org,
            role=Role.ENTERPRISE,
        ).user

    def ready_application(self, user=None, **data):
        """A complete draft made through the services, as an applicant would."""
        user = user or self.preparer
        fields = {
            "title": "高功率半导体激光器封装与散热技术研究",
            "summary": "研究高功率半导体激光器封装结构与散热，提高输出功率。",
            "keywords": "半导体激光器，封装，散热",
            "pi_name": "王研究",
            "topic": self.topic,
            "requested_funding": Decimal("80"),
            "self_funding": Decimal("40"),
            "budget": BUDGET,
        }
        fields.update(data)
        application = service.create_application(user, self.call, **fields)
        service.add_attachment(user, application, AttachmentKind.PROPOSAL, pdf_upload())
        return application

    def submitted(self, user=None, **data):
        application = self.ready_application(user, **data)
        return service.submit_application(user or self.preparer, application)

    def confirmed(self, user=None, admin=None, **data):
        application = self.submitted(user, **data)
        return service.confirm_application(admin or self.enterprise, application)
