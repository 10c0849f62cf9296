"""Exports open safely in a spreadsheet: text that looks like a formula stays text."""

import csv
import io

from django.test import SimpleTestCase
from openpyxl import load_workbook

from core.exports import export_response

ROWS = [['=HYPERLINK("http://evil","点我")', "+86 431", "@SUM(A1)", "长春", 12, -3.5]]


class ExportSafetyTests(SimpleTestCase):
    def test_excel_keeps_formula_like_text_as_text_and_numbers_as_numbers(self):
        response = export_response(["a", "b", "c", "d", "e", "f"], ROWS, "x", "xlsx", "表")
        ws = load_workbook(io.BytesIO(response.content)).active
        row = [c for c in next(ws.iter_rows(min_row=2, max_row=2))]
        self.assertEqual([c.data_type for c in row[:4]], ["s", "s", "s", "s"])
        self.assertEqual(row[0].value, ROWS[0][0])  # the text itself is unchanged
        self.assertTrue(row[0].quotePrefix)
        self.assertEqual((row[4].value, row[5].value), (12, -3.5))

    def test_csv_prefixes_formula_like_text_with_an_apostrophe(self):
        response = export_response(["a", "b", "c", "d", "e", "f"], ROWS, "x", "csv", "表")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        row = list(csv.reader(io.StringIO(text)))[1]
        self.assertEqual(row[0], "'" + ROWS[0][0])
        self.assertEqual(row[1:], ["'+86 431", "'@SUM(A1)", "长春", "12", "-3.5"])
