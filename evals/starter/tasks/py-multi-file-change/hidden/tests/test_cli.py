import unittest

from app.cli import format_user
from app.models import User


class CliTest(unittest.TestCase):
    def test_format(self):
        self.assertEqual(format_user(User("Ada", 36)), "Ada (36)")
        self.assertEqual(format_user(User("Ada", 36, "ada@example.org")), "Ada <ada@example.org> (36)")
