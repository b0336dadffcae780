"""Make, list and revoke personal API tokens from the command line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interop.models import ApiToken


class Command(BaseCommand):
    help = (
        "api_token create USERNAME --name NAME | api_token list USERNAME | "
        "api_token revoke USERNAME PREFIX"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token and print it (once)")
        create.add_argument("username")
        create.add_argument("--name", default="API token")
        listing = sub.add_parser("list", help="list a user's tokens (never the tokens themselves)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a user's token by the start it shows")
        revoke.add_argument("username")
        revoke.add_argument("prefix")

    def _user(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    def handle(self, *args, **options):
        user = self._user(options["username"])
        action = options["action"]
        if action == "create":
            token, raw = ApiToken.issue(user, options["name"])
            self.stdout.write(f"Token {token.name!r} for {user.username} (shown only once):")
            self.stdout.write(raw)
        elif action == "list":
            for token in ApiToken.objects.filter(user=user):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                self.stdout.write(f"{token.prefix}…  {token.name}  {state}")
        else:
            tokens = ApiToken.objects.active().filter(user=user, prefix=options["prefix"][:10])
            if not tokens.exists():
                raise CommandError(
                    f"{user.username} has no active token beginning {options['prefix']!r}."
                )
            for token in tokens:
                token.revoke()
            self.stdout.write(f"Revoked {tokens.count() or 'the'} token(s) of {user.username}.")
