"""Carriers: who takes a seller's parcel, where the buyer follows it, and how we learn news.

A carrier is a class: its ``code`` (what the seller names when shipping), a ``tracking_url``
for the buyer, and ``poll`` asking the carrier for the latest news of a parcel. A carrier we
cannot ask (``ManualCarrier``) reports nothing: its seller marks the part delivered. A new
carrier is a new class added to ``CARRIERS``, not a new flow.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


class TrackingStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


@dataclass(frozen=True)
class TrackingUpdate:
    """What a carrier says about a parcel, and when it happened."""

    status: TrackingStatus
    occurred_at: dt.datetime
    description: str = ""


class Carrier(ABC):
    code: ClassVar[str]
    name: ClassVar[str]
    # Whether the periodic poll asks this carrier about its parcels.
    polls: ClassVar[bool] = True

    @abstractmethod
    def tracking_url(self, tracking_number: str) -> str:
        """Where the buyer follows the parcel; empty when the carrier offers no such page."""

    @abstractmethod
    def poll(self, part) -> TrackingUpdate | None:
        """The latest news of the part's parcel, or None when there is none."""


class ManualCarrier(Carrier):
    """Any carrier we cannot ask: the seller tells us when the parcel arrives."""

    code = "manual"
    name = "Manual"
    polls = False

    def tracking_url(self, tracking_number: str) -> str:
        return ""

    def poll(self, part) -> TrackingUpdate | None:
        return None


CARRIERS: dict[str, Carrier] = {carrier.code: carrier for carrier in (ManualCarrier(),)}


def carrier_get(code: str) -> Carrier | None:
    return CARRIERS.get(code)


def carriers_polling() -> list[Carrier]:
    return [carrier for carrier in CARRIERS.values() if carrier.polls]
