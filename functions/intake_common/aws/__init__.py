"""The AWS adapters of the shared ports: the only modules of the shared package that call AWS."""
