"""Money: prices turn activity into cost, contracts turn cost into payment, and the budget
ledger, practice profiles, bill checks and provider viability are built on both."""
