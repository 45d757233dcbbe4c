import graphene

from market.core.money import base_currency
from market.core.selectors import exchange_rates_status, price_converters_all
from market.graphql.core.types import Currency, CurrencyConversion, ExchangeRatesStatus


class CoreQueries(graphene.ObjectType):
    currencies = graphene.List(
        graphene.NonNull(Currency),
        required=True,
        description="Currencies buyers can see prices in, with rates.",
    )
    exchange_rates_status = graphene.Field(
        ExchangeRatesStatus,
        required=True,
        description="How old the rates behind `currencies` are (refreshed daily from cbar.az).",
    )

    def resolve_currencies(self, info):
        base = base_currency()
        return [
            Currency.build(
                code,
                base=base,
                conversion=None
                if converter is None
                else CurrencyConversion.from_converter(converter),
            )
            for code, converter in price_converters_all().items()
        ]

    def resolve_exchange_rates_status(self, info):
        status = exchange_rates_status()
        return ExchangeRatesStatus(
            newest_at=status.newest_at,
            age_hours=None if status.age is None else round(status.age.total_seconds() / 3600, 1),
            is_stale=status.is_stale,
            source=status.source,
        )
