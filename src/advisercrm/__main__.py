"""python -m advisercrm"""

from advisercrm.cli import main

main()
