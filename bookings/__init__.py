"""civicbot bookings package."""
