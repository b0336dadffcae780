"""Who owes a second factor, and the TOTP devices that give it (django-otp)."""

import hashlib

from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from testimonies.access import is_archive_staff

DEVICE_NAME = "Authenticator app"


def two_factor_required(user):
    """Archive staff (archivists, custodians, superusers) always; anyone else who has set up a
    device, since a second factor that can be skipped protects nothing."""
    if not user.is_authenticated:
        return False
    return is_archive_staff(user) or user_has_device(user, confirmed=True)


def is_verified(user):
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user):
    """The device being set up: kept until confirmed, so reloading the page keeps the secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device):
    """The secret as authenticator apps take it when typed in by hand."""
    import base64

    return base64.b32encode(device.bin_key).decode()


def demo_device_ensure(user):
    """A confirmed TOTP device with a secret derived from the username: for the development
    demo accounts only (seed_archive refuses demo accounts outside development settings)."""
    key = hashlib.sha256(f"testimony-archive-demo-totp:{user.get_username()}".encode()).digest()
    device, _ = TOTPDevice.objects.update_or_create(
        user=user,
        name="Demo authenticator (development only)",
        defaults={"key": key[:20].hex(), "confirmed": True},
    )
    return device


def is_archive_staff_user(user):
    return is_archive_staff(user)


def device_for_tests_ensure(user):
    """A confirmed device for tests (tests/factories.sign_in)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)
