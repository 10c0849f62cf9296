from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from transfer.choices import CatalogStatus, ContractStatus, ListingStatus
from transfer.models import Catalog, Listing, TechContract
from transfer.services import statistics


class TransferDemoTests(TestCase):
    def run_demo(self) -> str:
        out = StringIO()
        call_command("demo", "--seed", "3", "--quiet-logins", stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_demo_shows_every_step_of_the_cycle_once(self):
        self.assertIn("登记技术合同 3 条", self.run_demo())
        catalog = Catalog.objects.get()
        self.assertEqual(catalog.status, CatalogStatus.PUBLISHED)
        self.assertTrue(catalog.pdf)
        self.assertEqual(catalog.entries.count(), 2)
        self.assertEqual(Listing.objects.get(status=ListingStatus.OPEN).bids.count(), 1)
        self.assertEqual(TechContract.objects.filter(status=ContractStatus.REGISTERED).count(), 3)
        self.assertEqual(statistics.contract_statistics()["totals"]["count"], 3)
        self.assertNotIn("登记技术合同", self.run_demo())
        self.assertEqual(Catalog.objects.count(), 1)
