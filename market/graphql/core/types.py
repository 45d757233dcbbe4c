from __future__ import annotations

from dataclasses import dataclass

import graphene
from babel.numbers import get_currency_name
from django_countries import countries
from graphene import relay

from market.core.money import Money as MoneyValue
from market.core.money import currency_precision
from market.core.selectors import PriceConverter
from market.graphql.core.pagination import Page


class CurrencyConversion(graphene.ObjectType):
    """The exchange rate a price was converted with."""

    base_currency = graphene.String(required=True, description="The currency sellers price in.")
    currency = graphene.String(required=True, description="The currency the price is shown in.")
    rate = graphene.Decimal(
        required=True,
        description="Units of the base currency per one unit of `currency` (1 when they match).",
    )
    source = graphene.String(required=True, description="Where the rate came from.")
    valid_at = graphene.DateTime(description="When the source published the rate.")

    @staticmethod
    def from_converter(converter: PriceConverter) -> CurrencyConversion:
        return CurrencyConversion(
            base_currency=converter.base,
            currency=converter.currency,
            rate=converter.rate,
            source=converter.source,
            valid_at=converter.valid_at,
        )


class Money(graphene.ObjectType):
    """An amount in one currency, rounded to its minor unit; never a float."""

    amount = graphene.Decimal(required=True)
    currency = graphene.String(required=True, description="ISO 4217 code.")
    formatted = graphene.String(required=True, description="For display, e.g. `€12.50`.")
    conversion = graphene.Field(
        CurrencyConversion,
        required=True,
        description="The rate used to get here from the base price.",
    )

    # Resolved from a ConvertedPrice: formatting and the conversion object are built only
    # when a client asks for them (a listing page holds hundreds of prices).
    @staticmethod
    def convert(amount, converter: PriceConverter) -> ConvertedPrice | None:
        if amount is None:
            return None
        return ConvertedPrice(converter.from_base(amount), converter)

    def resolve_amount(self, info):
        return self.money.amount

    def resolve_currency(self, info):
        return self.money.currency

    def resolve_formatted(self, info):
        return self.money.formatted()

    def resolve_conversion(self, info):
        return CurrencyConversion.from_converter(self.converter)


@dataclass(frozen=True, slots=True)
class ConvertedPrice:
    money: MoneyValue
    converter: PriceConverter


class MoneyRange(graphene.ObjectType):
    start = graphene.Field(Money, description="The lowest variant price.")
    stop = graphene.Field(Money, description="The highest variant price.")


class Country(graphene.ObjectType):
    code = graphene.String(required=True, description="ISO 3166-1 alpha-2.")
    name = graphene.String(required=True)

    @staticmethod
    def from_field(country) -> Country | None:
        if not country:
            return None
        return Country(code=country.code, name=str(country.name))


class Address(graphene.ObjectType):
    name = graphene.String(required=True)
    company_name = graphene.String(required=True)
    street_address_1 = graphene.String(required=True)
    street_address_2 = graphene.String(required=True)
    city = graphene.String(required=True)
    postal_code = graphene.String(required=True)
    country_area = graphene.String(required=True)
    country = graphene.Field(Country, required=True)
    phone = graphene.String(required=True)

    @staticmethod
    def from_dict(address: dict):
        if not address:
            return None
        code = address.get("country", "")
        fields = {
            key: address.get(key, "")
            for key in (
                "name",
                "company_name",
                "street_address_1",
                "street_address_2",
                "city",
                "postal_code",
                "country_area",
                "phone",
            )
        }
        return Address(country=Country(code=code, name=str(countries.name(code))), **fields)


class Currency(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    decimal_places = graphene.Int(required=True)
    is_base = graphene.Boolean(required=True)
    conversion = graphene.Field(
        CurrencyConversion, description="The rate in force; null when none is known yet."
    )

    @staticmethod
    def build(code: str, *, base: str, conversion: CurrencyConversion | None) -> Currency:
        return Currency(
            code=code,
            name=get_currency_name(code, locale="en"),
            decimal_places=currency_precision(code),
            is_base=code == base,
            conversion=conversion,
        )


class ExchangeRatesStatus(graphene.ObjectType):
    """How fresh the exchange rates in force are."""

    newest_at = graphene.DateTime(description="When the newest rate was published.")
    age_hours = graphene.Float(description="Hours since then; null when no rate is known.")
    is_stale = graphene.Boolean(
        required=True, description="Older than the refresh allows, or no rate known at all."
    )
    source = graphene.String(required=True, description="Where the newest rate came from.")


class CountableConnection(relay.Connection):
    """A Relay connection whose ``totalCount`` is counted only when asked for."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True)

    def resolve_total_count(self, info):
        return self.page.queryset.count()

    @classmethod
    def from_page(cls, page: Page):
        edges = [cls.Edge(node=item, cursor=page.cursor(i)) for i, item in enumerate(page.items)]
        connection = cls(
            edges=edges,
            page_info=relay.PageInfo(
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
            ),
        )
        connection.page = page
        return connection
