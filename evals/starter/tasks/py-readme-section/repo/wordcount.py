"""Count the lines, words and characters of a text file."""
import argparse


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--lines", action="store_true", help="print only the line count")
    parser.add_argument("--words", action="store_true", help="print only the word count")
    args = parser.parse_args()
    text = open(args.file).read()
    if args.lines:
        print(len(text.splitlines()))
    elif args.words:
        print(len(text.split()))
    else:
        print(len(text.splitlines()), len(text.split()), len(text))


if __name__ == "__main__":
    main()
