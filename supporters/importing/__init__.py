"""Bringing people in from CSV, TSV and XLSX files (or JSON rows sent by a script).

The room's parts, in the order an import goes through them:

- ``reading``: bytes → headers and rows (encodings, delimiters, Excel's habits), file errors;
- ``mapping``: each header's target, guessed from the headers VAN, Action Network,
  NationBuilder and Mobilize exports use; mappings saved per source;
- ``matching``: who each row is (external ID, email, phone in E.164, then name with address or
  ZIP by rapidfuzz), in batches, within what the importer may match (``import_match_scope``);
- ``services``: upload, dry run, commit in chunks (the worker), undo — writing people only
  through ``supporters.services``;
- ``selectors``: the imports a viewer may see.
"""
