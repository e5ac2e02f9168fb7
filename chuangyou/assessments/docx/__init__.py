"""The Word template of the application form (附件4 申报表) and the script that builds it."""
