"""The system-level evaluation: coverage of regions × service types, funding stability, red flags, money by year,
their charts, pages, panels and the coverage workbook (DESIGN.md, "Exposing uncovered regions and unstable
funding")."""
