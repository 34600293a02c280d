from petset.cli.main import main

main()
