from __future__ import annotations

import graphene
from babel.numbers import get_currency_name
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
        description="Units of the base currency per one unit of `currency` (1 when they match).")
    source = graphene.String(required=True, description="Where the rate came from.")
    valid_at = graphene.DateTime(description="When the source published the rate.")

    @staticmethod
    def from_converter(converter: PriceConverter) -> CurrencyConversion:
        return CurrencyConversion(base_currency=converter.base, currency=converter.currency,
                                  rate=converter.rate, source=converter.source,
                                  valid_at=converter.valid_at)


class Money(graphene.ObjectType):
    """An amount in one currency, rounded to its minor unit; never a float."""

    amount = graphene.Decimal(required=True)
    currency = graphene.String(required=True, description="ISO 4217 code.")
    formatted = graphene.String(required=True, description="For display, e.g. `€12.50`.")
    conversion = graphene.Field(CurrencyConversion, required=True,
                                description="The rate used to get here from the base price.")

    @staticmethod
    def convert(amount, converter: PriceConverter) -> Money | None:
        if amount is None:
            return None
        money: MoneyValue = converter.from_base(amount)
        return Money(amount=money.amount, currency=money.currency, formatted=money.formatted(),
                     conversion=CurrencyConversion.from_converter(converter))


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


class Currency(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    decimal_places = graphene.Int(required=True)
    is_base = graphene.Boolean(required=True)
    conversion = graphene.Field(CurrencyConversion,
                                description="The rate in force; null when none is known yet.")

    @staticmethod
    def build(code: str, *, base: str, conversion: CurrencyConversion | None) -> Currency:
        return Currency(code=code, name=get_currency_name(code, locale="en"),
                        decimal_places=currency_precision(code), is_base=code == base,
                        conversion=conversion)


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
