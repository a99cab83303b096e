#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betterway.settings")
    # Commands on your machine are development unless DEBUG says otherwise (the container image sets DEBUG=0):
    # betterway/settings.py explains.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
