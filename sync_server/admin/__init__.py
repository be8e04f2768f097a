"""`/admin`: users, teams, tracks. Every route needs an admin token (role claim) of a current administrator."""
