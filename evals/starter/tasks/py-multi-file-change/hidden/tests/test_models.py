import unittest

from app.models import User


class ModelsTest(unittest.TestCase):
    def test_email_is_optional(self):
        self.assertIsNone(User("Ada", 36).email)
        self.assertEqual(User("Ada", 36, "ada@example.org").email, "ada@example.org")
