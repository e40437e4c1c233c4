import unittest

from app.models import User
from app.serialize import from_dict, to_dict


class SerializeTest(unittest.TestCase):
    def test_round_trip(self):
        user = User("Ada", 36, "ada@example.org")
        self.assertEqual(to_dict(user)["email"], "ada@example.org")
        self.assertEqual(from_dict(to_dict(user)), user)

    def test_missing_email(self):
        self.assertIsNone(from_dict({"name": "Ada", "age": 36}).email)
