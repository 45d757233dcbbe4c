import graphene

from market.core.money import base_currency, supported_currencies
from market.core.selectors import exchange_rates_latest
from market.graphql.core.types import Currency, CurrencyConversion


class CoreQueries(graphene.ObjectType):
    currencies = graphene.List(graphene.NonNull(Currency), required=True,
                               description="Currencies buyers can see prices in, with rates.")

    def resolve_currencies(self, info):
        base = base_currency()
        rates = {r.currency: r for r in exchange_rates_latest()}
        result = []
        for code in supported_currencies():
            rate = rates.get(code)
            if code == base:
                conversion = CurrencyConversion(base_currency=base, currency=code, rate=1,
                                                source="base", valid_at=None)
            elif rate is not None:
                conversion = CurrencyConversion(base_currency=base, currency=code, rate=rate.rate,
                                                source=rate.source, valid_at=rate.valid_at)
            else:
                conversion = None
            result.append(Currency.build(code, base=base, conversion=conversion))
        return result
