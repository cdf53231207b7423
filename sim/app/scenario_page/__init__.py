"""The Scenario page's parts, one module a section, composed by `sim/app/pages/scenario.py`:
opening a file (`opening`), the tables that edit it (`tables`, `budget`) on the table
machinery they share (`editing`) with the loader's messages placed in their rows
(`messages`), the verdict and the network drawing (`network`), and saving (`saving`).
"""
