from configapi.cli import main

raise SystemExit(main())
