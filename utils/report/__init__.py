"""What people read: markdown tables, figures, each notebook's Analysis prose, the README's generated sections."""
