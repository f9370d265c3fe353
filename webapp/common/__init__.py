"""Small helpers shared by every module: validation of Chinese identifiers, masking, time,
spreadsheets. One helper for one job: look here before writing another."""
