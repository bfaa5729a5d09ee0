"""pyparsing grammars for Commvault access-node logs (installed as ``cvlogs.grammars``).

Pure definitions: these modules import pyparsing and each other, never the rest of cvlogs.
"""
