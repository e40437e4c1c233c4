import unittest

from wrap import wrap


class WrapTest(unittest.TestCase):
    def test_breaks_at_spaces(self):
        self.assertEqual(wrap("the quick brown fox", 10), ["the quick", "brown fox"])

    def test_short_text_is_one_line(self):
        self.assertEqual(wrap("hi there", 20), ["hi there"])

    def test_empty_text_has_no_lines(self):
        self.assertEqual(wrap("", 5), [])

    def test_a_long_word_stays_whole(self):
        self.assertEqual(wrap("extraordinary day", 5), ["extraordinary", "day"])


if __name__ == "__main__":
    unittest.main()
