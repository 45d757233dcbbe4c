import graphene

from market.core.money import base_currency
from market.core.selectors import price_converters_all
from market.graphql.core.types import Currency, CurrencyConversion


class CoreQueries(graphene.ObjectType):
    currencies = graphene.List(graphene.NonNull(Currency), required=True,
                               description="Currencies buyers can see prices in, with rates.")

    def resolve_currencies(self, info):
        base = base_currency()
        return [
            Currency.build(code, base=base, conversion=converter and
                           CurrencyConversion.from_converter(converter))
            for code, converter in price_converters_all().items()
        ]
