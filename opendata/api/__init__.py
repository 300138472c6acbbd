"""HTTP APIs: JSON and CSV for developers, over the same catalogue services as the pages."""
