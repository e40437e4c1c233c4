import unittest

from textutils import count_words, initials, slugify, truncate


class TextutilsTest(unittest.TestCase):
    def test_behaviour(self):
        self.assertEqual(slugify("Hello  World"), "hello-world")
        self.assertEqual(truncate("abcdef", 4), "abc…")
        self.assertEqual(truncate("abc", 4), "abc")
        self.assertEqual(count_words("a b  c"), 3)
        self.assertEqual(initials("ada king lovelace"), "AKL")


if __name__ == "__main__":
    unittest.main()
