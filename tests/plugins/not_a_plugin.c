/* not_a_plugin.c -- a shared object without the plugin declaration. */
int not_a_plugin(void);
int not_a_plugin(void)
{
    return 42;
}
