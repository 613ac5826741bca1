"""Reports: printable case reports and exports."""
