import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from testimonies.services import ROLE_TO_GROUP, role_grant, role_revoke


class Command(BaseCommand):
    help = "Give a user a role (researcher, archivist, custodian), or take it away with --revoke."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLE_TO_GROUP))
        parser.add_argument("--until", help="last day of a researcher's grant, YYYY-MM-DD")
        parser.add_argument("--revoke", action="store_true", help="take the role away at once")

    def handle(self, *args, username, role, until, revoke, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user is called {username!r}.") from exc
        if revoke:
            role_revoke(user=user, role=role)
            self.stdout.write(f"{username} is no longer a {role}.")
            return
        end = None
        if until:
            try:
                end = dt.date.fromisoformat(until)
            except ValueError as exc:
                raise CommandError(
                    f"--until {until!r} is not a date of the form YYYY-MM-DD."
                ) from exc
        grant = role_grant(user=user, role=role, until=end)
        suffix = f" until {grant.expires_on}" if grant else ""
        self.stdout.write(f"{username} is now a {role}{suffix}.")
